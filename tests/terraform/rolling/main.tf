# TLS on an existing plain cluster without downtime (tests/terraform/rolling):
# a CA, node and client certificates, each node's files and my.cnf;
# steps/restart.tf (rolling) and steps/rotate.tf (reload) are added by the test.
terraform {
  required_providers {
    pxc = { source = "pxc/pxc" }
  }
}

variable "ssh_private_key_file" { type = string }
variable "ssh_known_hosts_file" { type = string }

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

# The test sets "root" first: pxc1's mysqld then cannot read its key.
variable "pxc1_owner" {
  type    = string
  default = "mysql"
}

# The test moves pxc3's certificate, which `reload` must refuse.
variable "pxc3_cert_file" {
  type    = string
  default = null
}

provider "pxc" {
  ssh {
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
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
  key_algorithm      = "ECDSA"
  ip_addresses       = [each.value, var.load_balancer]
  dns_names          = ["pxc0"]
}

resource "pxc_node_cert" "client" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc0"
  key_algorithm      = "ECDSA"
  usage              = "client"
}

resource "pxc_node_tls_config" "node" {
  for_each = var.nodes
  host     = each.value
  name     = each.key
  flavor   = "mariadb" # the test bed runs MariaDB Galera
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node[each.key].cert_pem
  key_pem  = pxc_node_cert.node[each.key].private_key_pem

  owner     = each.key == "pxc1" ? var.pxc1_owner : null
  group     = each.key == "pxc1" ? var.pxc1_owner : null
  cert_file = each.key == "pxc3" ? var.pxc3_cert_file : null
}
