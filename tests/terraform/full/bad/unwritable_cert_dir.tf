# Refused: the certificate directory cannot be created.
resource "pxc_node_tls_config" "bad" {
  host     = "10.77.0.11"
  name     = "pxc1"
  flavor   = "mariadb"
  cert_dir = "/proc/pxc-certs"
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node["pxc1"].cert_pem
  key_pem  = pxc_node_cert.node["pxc1"].private_key_pem
}
