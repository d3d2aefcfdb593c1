# Options pxc manages set elsewhere (tests/terraform/conflicts): a CA,
# node and client certificates, and the TLS configuration of the nodes in
# tls_nodes. config_file is set (to its default) so that Terraform's
# diagnostics about it point at a line. steps/restart.tf (added by the test)
# restarts the cluster with `full`.
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

variable "tls_nodes" {
  type    = set(string)
  default = ["pxc1", "pxc2", "pxc3"]
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
  ip_addresses       = [each.value]
}

resource "pxc_node_cert" "client" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc0"
  key_algorithm      = "ECDSA"
  usage              = "client"
}

resource "pxc_node_tls_config" "node" {
  for_each    = var.tls_nodes
  host        = var.nodes[each.key]
  name        = each.key
  flavor      = "mariadb" # the test bed runs MariaDB Galera
  config_file = "/etc/mysql/my.cnf"
  ca_pem      = pxc_ca.cluster.cert_pem
  cert_pem    = pxc_node_cert.node[each.key].cert_pem
  key_pem     = pxc_node_cert.node[each.key].private_key_pem
}
