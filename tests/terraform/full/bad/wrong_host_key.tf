# Refused: pxc1's host key is not the one known_hosts names.
resource "pxc_node_tls_config" "bad" {
  host            = "10.77.0.11"
  name            = "pxc1"
  flavor          = "mariadb"
  ssh_known_hosts = file("${path.module}/wrong_known_hosts")
  ca_pem          = pxc_ca.cluster.cert_pem
  cert_pem        = pxc_node_cert.node["pxc1"].cert_pem
  key_pem         = pxc_node_cert.node["pxc1"].private_key_pem
}
