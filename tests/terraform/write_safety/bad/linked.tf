# Refused by apply: cert_dir is a symbolic link (to /etc/mysql/existing).
resource "pxc_node_tls_config" "linked" {
  host        = "10.77.0.11"
  name        = "linked"
  role        = "client"
  config_file = "/etc/mysql/client-test.cnf"
  cert_dir    = "/etc/mysql/linked"
  ca_pem      = pxc_ca.cluster.cert_pem
}
