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

variable "nodes" {
  description = "Node name => address."
  type        = map(string)
  default = {
    pxc1 = "10.0.0.11"
    pxc2 = "10.0.0.12"
    pxc3 = "10.0.0.13"
  }
}

resource "pxc_ca" "cluster" {
  common_name = "PXC-CA"
}
