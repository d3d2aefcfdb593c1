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

# The client host (the tutorial's pxc0): [client] ssl-* only.
resource "pxc_node_tls_config" "pxc0" {
  host     = "10.0.0.10"
  name     = "pxc0"
  role     = "client"
  ca_pem   = pxc_ca.cluster.cert_pem
  cert_pem = pxc_node_cert.client.cert_pem
  key_pem  = pxc_node_cert.client.private_key_pem
}
