# Added by tests/terraform/tutorial_no_secrets with rotate.tf: the full
# restart is not run again for a rotation (rotate.tf reloads instead).
resource "pxc_cluster_restart" "tls" {
  lifecycle {
    ignore_changes = [triggers]
  }
}
