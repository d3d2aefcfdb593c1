# The smallest configuration using the installed provider (no node, no
# database): a CA made on the machine running Terraform.
terraform {
  required_providers {
    pxc = {
      source  = "pxc/pxc"
      version = "~> 0.1"
    }
  }
}

resource "pxc_ca" "install_check" {
  key_algorithm = "ECDSA"
  common_name   = "Install-Check-CA"
}

output "fingerprint" {
  value = pxc_ca.install_check.cert_sha256_fingerprint
}
