# The CA key kept outside state (test.sh): pxc_ca writes its key to
# var.key_file; node certificates are signed from CSRs (made with openssl,
# next to this file) with the key read back by the ephemeral pxc_ca_key into
# the write-only ca_private_key_pem_wo. No private key reaches the state.
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "key_file" {
  type = string
}

variable "nodes" {
  type = set(string)
}

resource "pxc_ca" "ca" {
  key_algorithm    = "ECDSA"
  common_name      = "KeyFile-CA"
  private_key_file = var.key_file
}

ephemeral "pxc_ca_key" "ca" {
  private_key_file = pxc_ca.ca.private_key_file
  ca_cert_pem      = pxc_ca.ca.cert_pem
}

resource "pxc_node_cert" "node" {
  for_each              = var.nodes
  ca_cert_pem           = pxc_ca.ca.cert_pem
  ca_private_key_pem_wo = ephemeral.pxc_ca_key.ca.private_key_pem
  common_name           = each.key
  cert_request_pem      = file("${path.module}/${each.key}.csr")
}

output "ca_public_key_fingerprint" {
  value = pxc_ca.ca.public_key_fingerprint_sha256
}
