# Writes no other account can redirect (tests/terraform/write_safety): a CA,
# certificates for pxc1 and pxc2, and their TLS files and my.cnf: pxc1 as root
# (SFTP), pxc2 as the lab's pxcsudo account through sudo. pxc1 sets cert_dir
# (to its default) so that Terraform's diagnostics about it point at a line.
# steps/ and bad/ add one more pxc_node_tls_config beside these.
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
  }
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

resource "pxc_node_tls_config" "pxc1" {
  host     = var.nodes["pxc1"]
  name     = "pxc1"
  flavor   = "mariadb" # the test bed runs MariaDB Galera
  cert_dir = "/etc/mysql/certs"
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node["pxc1"].cert_pem
  key_pem  = pxc_node_cert.node["pxc1"].private_key_pem
}

resource "pxc_node_tls_config" "pxc2" {
  host     = var.nodes["pxc2"]
  name     = "pxc2"
  flavor   = "mariadb"
  ssh_user = "pxcsudo"
  ssh_sudo = true
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node["pxc2"].cert_pem
  key_pem  = pxc_node_cert.node["pxc2"].private_key_pem
}
