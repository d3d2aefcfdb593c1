# Signing with the CA key file from a configuration that does not manage the
# CA (test.sh): its certificate from a file, its key through pxc_ca_key.
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "key_file" {
  type = string
}

ephemeral "pxc_ca_key" "ca" {
  private_key_file = var.key_file
  ca_cert_pem      = file("${path.module}/ca.pem")
}

resource "pxc_node_cert" "signed" {
  ca_cert_pem           = file("${path.module}/ca.pem")
  ca_private_key_pem_wo = ephemeral.pxc_ca_key.ca.private_key_pem
  common_name           = "pxc1"
  cert_request_pem      = file("${path.module}/pxc1.csr")
}
