# Before the migration (test.sh): a CA whose key is in state.
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

resource "pxc_ca" "cluster" {
  key_algorithm = "ECDSA"
  common_name   = "InState-CA"
}

resource "pxc_node_cert" "node" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc1"
  cert_request_pem   = file("${path.module}/pxc1.csr")
}
