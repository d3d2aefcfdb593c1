provider "pxc" {
  ssh {
    user        = "root"
    private_key = file(var.ssh_private_key_file)
    known_hosts = file(var.ssh_known_hosts_file)
  }
}

# Each node's key is made on the node with its own openssl
# (/etc/mysql/certs/<name>-key.pem, mysql 0600) and never leaves it: the
# state keeps its public key and a certificate request.
resource "pxc_node_key" "node" {
  for_each      = var.nodes
  host          = each.value
  name          = each.key
  key_algorithm = "ECDSA"
}

# The CA signs each node's request.
resource "pxc_node_cert" "node" {
  for_each           = var.nodes
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = each.key
  cert_request_pem   = pxc_node_key.node[each.key].cert_request_pem
  ip_addresses       = [each.value]
}

# The certificate goes next to the key; no key attribute at all.
resource "pxc_node_tls_config" "node" {
  for_each    = var.nodes
  host        = each.value
  name        = each.key
  ca_pem      = pxc_ca.cluster.cert_pem
  cert_pem    = pxc_node_cert.node[each.key].cert_pem
  key_on_node = true
}
