# The manual "secure a Percona XtraDB Cluster with TLS" procedure as one
# reviewed plan: a CA, a certificate per node and one for the client host,
# the files deployed and TLS enabled on every node, a safe cluster restart,
# an SSL-only user, and the tutorial's final check through HAProxy.
terraform {
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
}
variable "ssluser_password" {
  type      = string
  sensitive = true
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

resource "pxc_ca" "cluster" {
  key_algorithm = "ECDSA"
  common_name   = "PXC-CA"
}

resource "pxc_node_cert" "node" {
  for_each           = var.nodes
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = each.key
  ip_addresses       = [each.value, var.load_balancer]
  dns_names          = ["pxc0"]
}

resource "pxc_node_cert" "client" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc0"
  usage              = "client"
}

resource "pxc_node_tls_config" "node" {
  for_each = var.nodes
  host     = each.value
  name     = each.key
  flavor   = var.flavor
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node[each.key].cert_pem
  key_pem  = pxc_node_cert.node[each.key].private_key_pem
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
  name     = "ssluser"
  host     = "%"
  password = var.ssluser_password
  require  = "ssl"
  grant {
    privileges = ["ALL"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

# The tutorial's final check (its Python snippet printing SHOW STATUS LIKE
# 'wsrep%') as data: connect through HAProxy as ssluser with the client
# certificate, refuse a connection that is not encrypted.
data "pxc_cluster_status" "through_haproxy" {
  require_tls = true
  mysql {
    endpoint = "${var.load_balancer}:3306"
    username = pxc_ssl_user.ssluser.name
    password = var.ssluser_password
    tls {
      ca_pem   = pxc_ca.cluster.cert_pem
      cert_pem = pxc_node_cert.client.cert_pem
      key_pem  = pxc_node_cert.client.private_key_pem
    }
  }
  # Read after the restart whenever it runs, so the output shows the
  # cluster as the apply left it.
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
