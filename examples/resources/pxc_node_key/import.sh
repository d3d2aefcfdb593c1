# Adopt a key already on a node (made there by hand, or by an earlier run):
# the ID is "<host>:<key path>". The key stays on the node; pxc reads its
# public key, algorithm, owner and mode there and makes a certificate request
# for it with the node's openssl.
terraform import 'pxc_node_key.node["pxc1"]' '10.0.0.11:/etc/mysql/certs/pxc1-key.pem'
# The request is new (an ECDSA signature differs each time), so a
# pxc_node_cert signing cert_request_pem is replaced: a new certificate for
# the same key.
