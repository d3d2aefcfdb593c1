# Installation as users do it (README, "Install for Terraform / OpenTofu"):
# run.sh has installed the provider with `cmake --install <build> --prefix
# <mirror>` and written a CLI configuration whose provider_installation names
# that directory as a filesystem_mirror (and excludes pxc/pxc from `direct`,
# so nothing is downloaded). Then `terraform init` must install it from
# there and record its h1: hash in the lock file, and a plan, an apply and a
# destroy must work.

step "cmake --install: the filesystem mirror layout"
rel=${TF_PROVIDER_BINARY#"$TF_WORK/mirror/"}
version=$(sed -n 's/^project(pxc VERSION \([0-9.]*\).*/\1/p' "$PXC_SOURCE_DIR/CMakeLists.txt")
expect_eq "the binary is at <hostname>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>" \
  "$rel" "registry.terraform.io/pxc/pxc/$version/linux_amd64/terraform-provider-pxc_v$version"
check "it is executable" test -x "$TF_PROVIDER_BINARY"
show_file "$TF_CLI_CONFIG_FILE"

step "terraform init with the CLI configuration naming the mirror"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
tf_init
expect_in "Terraform installs pxc/pxc $version from the mirror" "$TF_OUT" \
  "Installing pxc/pxc v$version..." "Installed pxc/pxc v$version"
lock=$(cat "$TF_CFG/.terraform.lock.hcl" 2>&1)
show_file "$TF_CFG/.terraform.lock.hcl"
expect_in "the lock file records the provider, its version and an h1: hash" "$lock" \
  "provider \"registry.terraform.io/pxc/pxc\"" "version     = \"$version\"" '"h1:'
# The h1: hash is Go's dirhash.Hash1 of the package directory: SHA-256 over
# the sorted "<sha256 hex>  <file name>\n" lines of its files, in base64.
h1=$(python3 - "$(dirname "$TF_PROVIDER_BINARY")" <<'PY'
import base64, hashlib, os, sys
d = sys.argv[1]
lines = "".join("%s  %s\n" % (hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest(), f)
                for f in sorted(os.listdir(d)))
print("h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode())
PY
)
expect_in "the lock file's h1: hash is the installed binary's ($h1)" "$lock" "\"$h1\""
tf version
expect_in "terraform version lists the provider" "$TF_OUT" "+ provider registry.terraform.io/pxc/pxc v$version"
tf init -no-color -input=false -lockfile=readonly
expect_eq "terraform init -lockfile=readonly agrees with the lock file" "$TF_RC" 0

step "plan, apply, plan, destroy"
tf plan -no-color -input=false -detailed-exitcode
expect_eq "terraform plan -detailed-exitcode: exit 2" "$TF_RC" 2
expect_in "the plan" "$TF_OUT" "# pxc_ca.install_check will be created" "Plan: 1 to add, 0 to change, 0 to destroy."
tf_apply "the CA is made" >/dev/null
tf output -raw fingerprint
check "terraform output: a SHA-256 fingerprint" grep -qE '^[0-9a-f]{64}$' <<<"$TF_OUT"
tf_plan_empty
tf destroy -auto-approve -no-color -input=false
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 1 destroyed."
