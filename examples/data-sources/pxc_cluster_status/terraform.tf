# Not part of the documented example: the provider requirement and what the
# example refers to, so that this directory is a complete configuration
# (`terraform init && terraform validate`; checked by the terraform_examples
# test).
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "ssluser_password" {
  type      = string
  sensitive = true
}

provider "pxc" {
  mysql {
    endpoint = "10.77.0.10:3306"
  }
}

resource "pxc_ca" "cluster" {
  common_name = "PXC-CA"
}

resource "pxc_node_cert" "client" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc0"
  usage              = "client"
}
