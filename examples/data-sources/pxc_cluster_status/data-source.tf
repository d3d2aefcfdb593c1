# The tutorial's final check: connect through HAProxy with a client
# certificate and read the Galera status.
data "pxc_cluster_status" "check" {
  require_tls = true

  mysql {
    username = "ssluser"
    password = var.ssluser_password
    tls {
      ca_pem   = pxc_ca.cluster.cert_pem
      cert_pem = pxc_node_cert.client.cert_pem
      key_pem  = pxc_node_cert.client.private_key_pem
    }
  }
}

output "cluster" {
  value = {
    size   = data.pxc_cluster_status.check.wsrep_cluster_size
    status = data.pxc_cluster_status.check.wsrep_cluster_status
    uuid   = data.pxc_cluster_status.check.wsrep_local_state_uuid
    cipher = data.pxc_cluster_status.check.ssl_cipher
  }
}
