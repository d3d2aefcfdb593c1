# Not part of the documented example: the provider requirement and what the
# example refers to, so that this directory is a complete configuration
# (`terraform init && terraform validate`; checked by the terraform_examples
# test).
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "nodes" {
  type = map(string)
  default = {
    pxc1 = "10.77.0.11"
    pxc2 = "10.77.0.12"
    pxc3 = "10.77.0.13"
  }
}

variable "ssh_private_key_file" { type = string }
variable "ssh_known_hosts_file" { type = string }

provider "pxc" {
  ssh {
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
  }
}

resource "pxc_ca" "cluster" {
  common_name = "PXC-CA"
}

resource "pxc_node_cert" "node" {
  for_each           = var.nodes
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = each.key
  ip_addresses       = [each.value]
}
