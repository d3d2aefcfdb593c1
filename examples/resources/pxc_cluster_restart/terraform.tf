# Not part of the documented example: the provider requirement and what the
# example refers to, so that this directory is a complete configuration
# (`terraform init && terraform validate`; checked by the terraform_examples
# test).
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "ssh_private_key_file" {
  description = "The SSH key that logs in to the nodes."
  type        = string
}

variable "ssh_known_hosts_file" {
  description = "known_hosts with the nodes' host keys."
  type        = string
}

provider "pxc" {
  ssh {
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
  }
}

locals {
  nodes = {
    pxc1 = "10.0.0.11"
    pxc2 = "10.0.0.12"
    pxc3 = "10.0.0.13"
  }
}

resource "pxc_ca" "cluster" {
  common_name = "PXC-CA"
}

resource "pxc_node_cert" "node" {
  for_each           = local.nodes
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = each.key
  ip_addresses       = [each.value]
}

resource "pxc_node_tls_config" "node" {
  for_each = local.nodes
  host     = each.value
  name     = each.key
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node[each.key].cert_pem
  key_pem  = pxc_node_cert.node[each.key].private_key_pem
}
