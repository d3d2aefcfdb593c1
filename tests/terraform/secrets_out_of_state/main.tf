# Secrets kept out of state and plans (tests/terraform/secrets_out_of_state,
# Terraform >= 1.11): no private key and no password of the cluster in state
# or plan files.
#  - the CA is kept outside Terraform: its certificate from a file, its key
#    through an ephemeral variable into pxc_node_cert.ca_private_key_pem_wo;
#  - node keys are made on the side (CSRs signed by pxc) and deployed through
#    pxc_node_tls_config.key_pem_wo from an ephemeral variable;
#  - an SSL user's password through pxc_ssl_user.password_wo, checked by
#    logging in with it through HAProxy over TLS (provider alias "app");
#  - an x509 user reached with an ephemeral pxc_client_cert in a provider's
#    mysql.tls block (provider alias "x509").
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
variable "load_balancer" {
  type    = string
  default = "10.77.0.10"
}
variable "ssh_private_key_file" { type = string }
variable "ssh_known_hosts_file" { type = string }

variable "ca_private_key" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "node_keys" {
  type      = map(string)
  sensitive = true
  ephemeral = true
}
variable "mysql_admin_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "app_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "app_password_version" {
  type    = number
  default = 1
}

locals {
  ca_pem   = file("${path.module}/ca.pem")
  endpoint = "${var.load_balancer}:3306"
}

provider "pxc" {
  ssh {
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
  }
  mysql {
    endpoint = local.endpoint
    username = "pxcadmin"
    password = var.mysql_admin_password
    tls {
      ca_pem   = local.ca_pem
      required = true
    }
  }
}

# Opens the ephemeral client certificate (a provider block cannot use an
# ephemeral resource it opens itself).
provider "pxc" {
  alias = "pki"
}

provider "pxc" {
  alias = "app"
  mysql {
    endpoint = local.endpoint
    username = "wo_user"
    password = var.app_password
    tls {
      ca_pem = local.ca_pem
    }
  }
}

ephemeral "pxc_client_cert" "x509_user" {
  provider           = pxc.pki
  ca_cert_pem        = local.ca_pem
  ca_private_key_pem = var.ca_private_key
  common_name        = "x509_user"
  key_algorithm      = "ECDSA"
}

provider "pxc" {
  alias = "x509"
  mysql {
    endpoint = local.endpoint
    username = "x509_user"
    tls {
      ca_pem   = local.ca_pem
      cert_pem = ephemeral.pxc_client_cert.x509_user.cert_pem
      key_pem  = ephemeral.pxc_client_cert.x509_user.private_key_pem
    }
  }
}

resource "pxc_node_cert" "node" {
  for_each              = var.nodes
  ca_cert_pem           = local.ca_pem
  ca_private_key_pem_wo = var.ca_private_key
  common_name           = each.key
  cert_request_pem      = file("${path.module}/${each.key}.csr")
  ip_addresses          = [each.value, var.load_balancer]
  dns_names             = ["pxc0"]
}

resource "pxc_node_tls_config" "node" {
  for_each           = var.nodes
  host               = each.value
  name               = each.key
  flavor             = "mariadb"
  ca_pem             = local.ca_pem
  cert_pem           = pxc_node_cert.node[each.key].cert_pem
  key_pem_wo         = var.node_keys[each.key]
  key_pem_wo_version = 1
}

resource "pxc_cluster_restart" "tls" {
  strategy        = "full"
  flavor          = "pxc57"
  timeout_seconds = 180
  triggers        = { for k, v in pxc_node_tls_config.node : k => v.id }

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}

resource "pxc_ssl_user" "app" {
  name                = "wo_user"
  password_wo         = var.app_password
  password_wo_version = var.app_password_version
  require             = "ssl"
  grant {
    privileges = ["SELECT"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

resource "pxc_ssl_user" "x509" {
  name    = "x509_user"
  require = "x509"
  grant {
    privileges = ["SELECT"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

# Terraform itself logs in as each user through HAProxy over TLS.
data "pxc_cluster_status" "as_app" {
  provider    = pxc.app
  require_tls = true
  depends_on  = [pxc_ssl_user.app]
}

data "pxc_cluster_status" "as_x509" {
  provider    = pxc.x509
  require_tls = true
  depends_on  = [pxc_ssl_user.x509]
}

output "as_app" {
  value = {
    cipher = data.pxc_cluster_status.as_app.ssl_cipher
    size   = data.pxc_cluster_status.as_app.wsrep_cluster_size
  }
}

output "as_x509" {
  value = {
    cipher = data.pxc_cluster_status.as_x509.ssl_cipher
    size   = data.pxc_cluster_status.as_x509.wsrep_cluster_size
  }
}
