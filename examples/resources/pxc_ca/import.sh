# Import a CA made with openssl: the ID is "<key file>,<cert file>" on the
# machine running Terraform. The configuration must adopt the same files:
#   existing_private_key_pem = file("ca-key.pem")
#   existing_cert_pem        = file("ca.pem")
terraform import pxc_ca.existing "$PWD/ca-key.pem,$PWD/ca.pem"
