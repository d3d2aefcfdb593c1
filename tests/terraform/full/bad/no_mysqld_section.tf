# Refused: the option file has no [mysqld] section to enable TLS in.
resource "pxc_node_tls_config" "bad" {
  host        = "10.77.0.11"
  name        = "pxc1"
  flavor      = "mariadb"
  config_file = "/etc/mysql/client-only.cnf"
  ca_pem      = pxc_ca.cluster.cert_pem
  cert_pem    = pxc_node_cert.node["pxc1"].cert_pem
  key_pem     = pxc_node_cert.node["pxc1"].private_key_pem
}
