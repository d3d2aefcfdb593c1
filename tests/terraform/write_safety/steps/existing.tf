# An existing root-owned directory (root:root 0755, made by the test) as
# cert_dir: used as it is, its owner and mode left alone.
resource "pxc_node_tls_config" "existing" {
  host        = "10.77.0.11"
  name        = "existing"
  role        = "client"
  config_file = "/etc/mysql/client-test.cnf"
  cert_dir    = "/etc/mysql/existing"
  ca_pem      = pxc_ca.cluster.cert_pem
}
