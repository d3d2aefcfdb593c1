# Every directory under examples/ is a complete configuration: `terraform
# init` (from the test's mirror) and `terraform validate` pass in a copy of
# it, and `terraform fmt -check -recursive` is clean over examples/ and the
# real-CLI tests' own configurations.

step "terraform fmt -check -recursive"
for d in examples tests/terraform; do
  out=$(cd "$PXC_SOURCE_DIR" && "$TERRAFORM" fmt -check -recursive -diff -no-color "$d" 2>&1)
  rc=$?
  if [[ $rc == 0 ]]; then
    ok "terraform fmt -check -recursive $d"
  else
    not_ok "terraform fmt -check -recursive $d" "exit $rc: $(head -20 <<<"$out" | tr '\n' ' ')"
  fi
done

n=0
while IFS= read -r dir; do
  n=$((n + 1))
  rel=${dir#"$PXC_SOURCE_DIR/"}
  step "$rel"
  rm -rf "$TF_CFG" && mkdir -p "$TF_CFG"
  cp -r "$dir/." "$TF_CFG/"
  tf init -no-color -input=false -backend=false
  if [[ $TF_RC != 0 ]]; then
    not_ok "terraform init" "exit $TF_RC"
    tf_dump
    continue
  fi
  tf validate -no-color
  if [[ $TF_RC == 0 ]] && [[ $TF_OUT == *"Success! The configuration is valid."* ]]; then
    ok "terraform validate: $(cat "$dir"/*.tf | grep -c -E '^(resource|data) ') resource/data blocks"
  else
    not_ok "terraform validate" "exit $TF_RC"
    tf_dump
  fi
done < <(find "$PXC_SOURCE_DIR/examples" -name '*.tf' -printf '%h\n' | sort -u)
expect_eq "example directories found" "$((n >= 8))" 1
