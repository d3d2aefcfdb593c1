# Added by tests/terraform/tutorial_no_secrets: certificate rotation without
# a restart. The tutorial's full restart is triggered by the configurations'
# files; for a rotation its trigger is ignored and the certificates are
# reloaded instead (the test bed runs MariaDB: FLUSH SSL and Galera's
# socket.ssl_reload).
resource "pxc_cluster_restart" "rotate" {
  strategy        = "reload"
  flavor          = "mariadb"
  mysql_command   = "mysql"
  timeout_seconds = 120
  triggers        = { for name, cert in pxc_node_cert.node : name => cert.cert_sha256_fingerprint }

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }

  depends_on = [pxc_cluster_restart.tls]
}
