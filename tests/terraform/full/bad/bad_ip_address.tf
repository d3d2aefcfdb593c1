# Refused while planning: not an IP address.
resource "pxc_node_cert" "bad" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc4"
  ip_addresses       = ["10.77.0.300"]
}
