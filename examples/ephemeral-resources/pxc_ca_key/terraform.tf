# Not part of the documented example: the provider requirement and what the
# example refers to, so that this directory is a complete configuration
# (`terraform init && terraform validate`; checked by the terraform_examples
# test).
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "node_csrs" {
  description = "Certificate requests (PEM) by node name."
  type        = map(string)
  default     = {}
}
