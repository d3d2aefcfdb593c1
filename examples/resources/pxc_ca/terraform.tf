# Not part of the documented example: the provider requirement and what the
# example refers to, so that this directory is a complete configuration
# (`terraform init && terraform validate`; checked by the terraform_examples
# test).
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "ca_private_key_file" {
  description = "The existing CA's private key (PEM), e.g. ca-key.pem of the manual procedure."
  type        = string
}

variable "ca_cert_file" {
  description = "The existing CA's certificate (PEM), e.g. ca.pem."
  type        = string
}
