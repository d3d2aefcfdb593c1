# After the migration (test.sh): the same CA adopted from its certificate and
# the key written from state into var.key_file; signing through pxc_ca_key.
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "key_file" {
  type = string
}

resource "pxc_ca" "cluster" {
  existing_cert_pem = file("${path.module}/ca.pem")
  private_key_file  = var.key_file
}

ephemeral "pxc_ca_key" "cluster" {
  private_key_file = pxc_ca.cluster.private_key_file
  ca_cert_pem      = pxc_ca.cluster.cert_pem
}

resource "pxc_node_cert" "node" {
  ca_cert_pem           = pxc_ca.cluster.cert_pem
  ca_private_key_pem_wo = ephemeral.pxc_ca_key.cluster.private_key_pem
  common_name           = "pxc1"
  cert_request_pem      = file("${path.module}/pxc1.csr")
}
