# Connect as an account that requires a client certificate (REQUIRE X509)
# with a certificate made for this run only: no client key in state or plan
# (Terraform 1.10 or later).
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "ca_cert_file" {
  type    = string
  default = "ca.pem"
}

# The CA key may itself stay out of state: an ephemeral variable
# (TF_VAR_ca_private_key, Terraform 1.10 or later).
variable "ca_private_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "app_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# A provider block cannot use an ephemeral resource it opens itself, so a
# second pxc provider block (without a database connection) opens it.
provider "pxc" {
  alias = "pki"
}

ephemeral "pxc_client_cert" "app" {
  provider              = pxc.pki
  ca_cert_pem           = file(var.ca_cert_file)
  ca_private_key_pem    = var.ca_private_key
  common_name           = "app"
  key_algorithm         = "ECDSA"
  validity_period_hours = 1
}

# The provider connects through HAProxy as `app` with that certificate.
provider "pxc" {
  mysql {
    endpoint = "10.77.0.10:3306"
    username = "app"
    password = var.app_password
    tls {
      ca_pem   = file(var.ca_cert_file)
      cert_pem = ephemeral.pxc_client_cert.app.cert_pem
      key_pem  = ephemeral.pxc_client_cert.app.private_key_pem
    }
  }
}

data "pxc_cluster_status" "cluster" {
  require_tls = true
}

output "ssl_cipher" {
  value = data.pxc_cluster_status.cluster.ssl_cipher
}
