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

resource "pxc_ca" "cluster" {
  common_name = "PXC-CA"
}

resource "pxc_node_cert" "node" {
  for_each           = { pxc1 = "10.0.0.11" }
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = each.key
  ip_addresses       = [each.value]
}

resource "pxc_node_cert" "client" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc0"
  usage              = "client"
}
