# Added by tests/terraform/rolling: certificate rotation without a restart.
# Any change of a node's files (new certificate, moved file) triggers it;
# `reload` refuses what needs a restart (a changed path).
resource "pxc_cluster_restart" "rotate" {
  strategy        = "reload"
  flavor          = "mariadb"
  stop_command    = "service mysql stop"
  start_command   = "service mysql start"
  mysql_command   = "mysql"
  timeout_seconds = 120
  triggers        = { for name, cfg in pxc_node_tls_config.node : name => jsonencode(cfg.files) }

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }

  depends_on = [pxc_cluster_restart.tls]
}
