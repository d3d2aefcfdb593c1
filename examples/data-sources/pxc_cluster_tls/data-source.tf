# Continuous validation of the cluster's TLS on every plan: a `check` block
# reads what every node serves (MySQL port after STARTTLS, Galera's port)
# and what its my.cnf names on disk. A failed assertion, or a problem the
# data source finds, is a warning; the plan still succeeds.
check "cluster_tls" {
  data "pxc_cluster_tls" "nodes" {
    warn_days = 30

    dynamic "node" {
      for_each = var.nodes
      content {
        name = node.key
        host = node.value
      }
    }
  }

  assert {
    condition     = length(data.pxc_cluster_tls.nodes.problems) == 0
    error_message = join(" ", data.pxc_cluster_tls.nodes.problems)
  }

  assert {
    condition     = data.pxc_cluster_tls.nodes.consistent
    error_message = "Cluster TLS is not consistent: ${join(" ", data.pxc_cluster_tls.nodes.problems)}"
  }

  assert {
    condition     = data.pxc_cluster_tls.nodes.min_days_left > 30
    error_message = "A node certificate ends in ${data.pxc_cluster_tls.nodes.min_days_left} days."
  }

  assert {
    condition = alltrue([
      for n in data.pxc_cluster_tls.nodes.node :
      n.mysql.serial == pxc_node_cert.node[n.name].serial_number &&
      n.galera.serial == pxc_node_cert.node[n.name].serial_number
    ])
    error_message = "A node serves another certificate than the one pxc_node_cert made."
  }
}
