provider "pxc" {
  ssh {
    user        = "root"
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
  }
}

# Deploys pxc1's files to /etc/mysql/certs (owner mysql, key 0600) and
# enables TLS in /etc/mysql/my.cnf: ssl-ca/ssl-cert/ssl-key under [mysqld]
# and socket.ssl_* merged into the existing wsrep_provider_options.
resource "pxc_node_tls_config" "pxc1" {
  host     = "10.0.0.11"
  name     = "pxc1"
  flavor   = "pxc57"
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.node["pxc1"].cert_pem
  key_pem  = pxc_node_cert.node["pxc1"].private_key_pem
}

# The node key kept out of this resource's state (Terraform 1.11 or later):
# key_pem_wo is write-only, here from an ephemeral variable holding a key
# made outside Terraform (TF_VAR_pxc2_key). Drift of the key file is still
# seen on the node; bump key_pem_wo_version to deploy a new key.
variable "pxc2_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "pxc_node_tls_config" "pxc2" {
  host               = "10.0.0.12"
  name               = "pxc2"
  ca_pem             = pxc_ca.cluster.cert_pem
  cert_pem           = pxc_node_cert.node["pxc2"].cert_pem
  key_pem_wo         = var.pxc2_key
  key_pem_wo_version = 1
}

# The client host (the tutorial's pxc0): [client] ssl-* only.
resource "pxc_node_tls_config" "pxc0" {
  host     = "10.0.0.10"
  name     = "pxc0"
  role     = "client"
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.client.cert_pem
  key_pem  = pxc_node_cert.client.private_key_pem
}
