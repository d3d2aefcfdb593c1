# Refused when the configuration is validated: a system directory as cert_dir.
resource "pxc_node_tls_config" "sysdir" {
  host        = "10.77.0.11"
  name        = "sysdir"
  role        = "client"
  config_file = "/etc/mysql/client-test.cnf"
  cert_dir    = "/etc/mysql"
  ca_pem      = pxc_ca.cluster.cert_pem
}
