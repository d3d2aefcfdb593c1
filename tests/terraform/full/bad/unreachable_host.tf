# Refused: no node answers at this address.
resource "pxc_node_tls_config" "bad" {
  host                        = "10.77.0.99"
  name                        = "pxc1"
  flavor                      = "mariadb"
  ssh_connect_timeout_seconds = 3
  ca_pem                      = pxc_ca.cluster.cert_pem
  cert_pem                    = pxc_node_cert.node["pxc1"].cert_pem
  key_pem                     = pxc_node_cert.node["pxc1"].private_key_pem
}
