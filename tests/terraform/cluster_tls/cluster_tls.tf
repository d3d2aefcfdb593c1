# Added to the tutorial (examples/tutorial/main.tf) by tests/terraform/
# cluster_tls once TLS is on: the `check` block of
# examples/data-sources/pxc_cluster_tls over the tutorial's nodes plus
# var.extra_tls_nodes. The data source depends on no resource, so it is read
# at every plan, also when a resource has changes planned (drift).
variable "extra_tls_nodes" {
  description = "Nodes the check reads besides var.nodes (an unreachable one)."
  type        = map(string)
  default     = {}
}

check "cluster_tls" {
  data "pxc_cluster_tls" "nodes" {
    dynamic "node" {
      for_each = merge(var.nodes, var.extra_tls_nodes)
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
