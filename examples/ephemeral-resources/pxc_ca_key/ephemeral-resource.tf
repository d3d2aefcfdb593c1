# The CA key outside state: pxc_ca writes it to a file once; each run reads
# it back as an ephemeral value to sign with, through the write-only
# ca_private_key_pem_wo (Terraform 1.11 or later). State holds no CA key, and
# a fresh working directory (state from the backend, the key file on this
# machine) can sign a new node.
resource "pxc_ca" "cluster" {
  key_algorithm    = "ECDSA"
  common_name      = "PXC-CA"
  private_key_file = pathexpand("~/.pxc/ca-key.pem")
}

ephemeral "pxc_ca_key" "cluster" {
  private_key_file = pxc_ca.cluster.private_key_file
  ca_cert_pem      = pxc_ca.cluster.cert_pem
}

# Each node's certificate request (e.g. from the node's own key).
resource "pxc_node_cert" "node" {
  for_each              = var.node_csrs
  ca_cert_pem           = pxc_ca.cluster.cert_pem
  ca_private_key_pem_wo = ephemeral.pxc_ca_key.cluster.private_key_pem
  common_name           = each.key
  cert_request_pem      = each.value
}

# A short-lived client certificate signed with the same key.
ephemeral "pxc_client_cert" "admin" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = ephemeral.pxc_ca_key.cluster.private_key_pem
  common_name        = "admin"
}
