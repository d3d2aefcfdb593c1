# The tutorial (examples/tutorial) with no private key and no password in
# Terraform's state or saved plans (Terraform 1.11 or later):
#  - each node's key is made on the node (pxc_node_key) and never leaves it;
#    the state keeps its public key and the certificate request the CA signs;
#  - pxc_node_tls_config deploys the certificate and CA next to that key
#    (key_on_node), with no key attribute;
#  - the passwords are ephemeral variables: the administrator's reaches only
#    the provider, ssluser's only the write-only password_wo and the
#    provider block of the final check;
#  - the CA key is written once to a 0600 file on the machine running
#    Terraform (pxc_ca.private_key_file) and read back for each run by the
#    ephemeral pxc_ca_key: back it up (docs/guides/secrets-out-of-state.md).
#    Its directory must exist and be yours alone: mkdir -m 700 ~/.pxc;
#  - the final check connects through HAProxy with a client certificate made
#    for that run only (ephemeral pxc_client_cert).
terraform {
  required_version = ">= 1.11"
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "nodes" {
  description = "Database nodes: name => address."
  type        = map(string)
  default = {
    pxc1 = "10.77.0.11"
    pxc2 = "10.77.0.12"
    pxc3 = "10.77.0.13"
  }
}
variable "load_balancer" {
  description = "The HAProxy / client host (the tutorial's pxc0)."
  type        = string
  default     = "10.77.0.10"
}
variable "flavor" {
  type    = string
  default = "pxc57" # or pxc80, mariadb
}
variable "ssh_private_key_file" { type = string }
variable "ssh_known_hosts_file" { type = string }
variable "mysql_admin_user" {
  type    = string
  default = "pxcadmin"
}
variable "mysql_admin_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "ssluser_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "ssluser_password_version" {
  description = "Bump it to set a new ssluser_password."
  type        = number
  default     = 1
}
variable "ca_key_file" {
  description = "Where pxc_ca keeps the CA key: an absolute path in a directory only you can change (default ~/.pxc/pxc-ca-key.pem)."
  type        = string
  default     = null
}
variable "node_key_algorithm" {
  description = "Algorithm of the keys made on the nodes: RSA, ECDSA or ED25519."
  type        = string
  default     = "ECDSA"
}

provider "pxc" {
  ssh {
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
  }
  mysql {
    endpoint = "${var.load_balancer}:3306"
    username = var.mysql_admin_user
    password = var.mysql_admin_password
  }
}

locals {
  ca_key_file = coalesce(var.ca_key_file, pathexpand("~/.pxc/pxc-ca-key.pem"))
}

resource "pxc_ca" "cluster" {
  key_algorithm    = "ECDSA"
  common_name      = "PXC-CA"
  private_key_file = local.ca_key_file
}

# The client host's certificate below and the CA key are opened by a second
# pxc provider block (no connection of its own): a provider block cannot use
# an ephemeral resource it opens itself.
provider "pxc" {
  alias = "pki"
}

# The CA key, read from its file (checked: yours, 0600, the key of the CA
# certificate) in each run that signs; never stored.
ephemeral "pxc_ca_key" "cluster" {
  provider         = pxc.pki
  private_key_file = pxc_ca.cluster.private_key_file
  ca_cert_pem      = pxc_ca.cluster.cert_pem
}

# Each node makes its own key (/etc/mysql/certs/<name>-key.pem, mysql 0600).
resource "pxc_node_key" "node" {
  for_each      = var.nodes
  host          = each.value
  name          = each.key
  key_algorithm = var.node_key_algorithm
}

# The CA signs each node's request (its signature and key are checked).
resource "pxc_node_cert" "node" {
  for_each              = var.nodes
  ca_cert_pem           = pxc_ca.cluster.cert_pem
  ca_private_key_pem_wo = ephemeral.pxc_ca_key.cluster.private_key_pem
  common_name           = each.key
  cert_request_pem      = pxc_node_key.node[each.key].cert_request_pem
  ip_addresses          = [each.value, var.load_balancer]
  dns_names             = ["pxc0"]
}

resource "pxc_node_tls_config" "node" {
  for_each    = var.nodes
  host        = each.value
  name        = each.key
  flavor      = var.flavor
  ca_pem      = pxc_ca.cluster.cert_pem
  cert_pem    = pxc_node_cert.node[each.key].cert_pem
  key_on_node = true
}

resource "pxc_cluster_restart" "tls" {
  strategy = "full"
  flavor   = var.flavor
  triggers = { for k, v in pxc_node_tls_config.node : k => jsonencode(v.files) }

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}

resource "pxc_ssl_user" "ssluser" {
  name                = "ssluser"
  host                = "%"
  password_wo         = var.ssluser_password
  password_wo_version = var.ssluser_password_version
  require             = "ssl"
  grant {
    privileges = ["ALL"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

# The client host's certificate (the tutorial's pxc0) for this run only.
ephemeral "pxc_client_cert" "pxc0" {
  provider              = pxc.pki
  ca_cert_pem           = pxc_ca.cluster.cert_pem
  ca_private_key_pem    = ephemeral.pxc_ca_key.cluster.private_key_pem
  common_name           = "pxc0"
  key_algorithm         = "ECDSA"
  validity_period_hours = 1
}

# The tutorial's final check (its Python snippet printing SHOW STATUS LIKE
# 'wsrep%') as data: through HAProxy as ssluser with pxc0's certificate, a
# connection that is not encrypted refused.
provider "pxc" {
  alias = "ssluser"
  mysql {
    endpoint = "${var.load_balancer}:3306"
    username = "ssluser"
    password = var.ssluser_password
    tls {
      ca_pem   = pxc_ca.cluster.cert_pem
      cert_pem = ephemeral.pxc_client_cert.pxc0.cert_pem
      key_pem  = ephemeral.pxc_client_cert.pxc0.private_key_pem
    }
  }
}

data "pxc_cluster_status" "through_haproxy" {
  provider    = pxc.ssluser
  require_tls = true
  # Read after the restart whenever it runs (e.g. a node added), so the
  # output shows the cluster as the apply left it.
  depends_on = [pxc_ssl_user.ssluser, pxc_cluster_restart.tls]
}

output "cluster" {
  value = {
    state_uuid = data.pxc_cluster_status.through_haproxy.wsrep_local_state_uuid
    size       = data.pxc_cluster_status.through_haproxy.wsrep_cluster_size
    status     = data.pxc_cluster_status.through_haproxy.wsrep_cluster_status
    ssl_cipher = data.pxc_cluster_status.through_haproxy.ssl_cipher
    bootstrap  = pxc_cluster_restart.tls.bootstrap_node
  }
}
