# Certificates and kubeconfigs of the cluster, with openssl (as "Kubernetes the hard way"): one CA per cluster
# directory, written once and reused by every later `cluster up` until `cluster down --purge`. Sourced by cluster.sh,
# under its set -euo pipefail.

# cert <name> <CN> <O or ""> <extendedKeyUsage> [subjectAltName]
cert() {
  local name="$1" cn="$2" o="$3" eku="$4" san="${5:-}" subj ext
  [ -f "$PKI/$name.crt" ] && return 0
  subj="/CN=$cn"
  [ -n "$o" ] && subj="/O=$o$subj"
  ext="$PKI/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 3650 \
    -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

# kubeconfig <file> <user cert name>: a kubeconfig with the CA and the user's certificate embedded.
kubeconfig() {
  local file="$1" user="$2" tmp="$1.tmp"
  rm -f "$tmp"
  "$KUBECTL" config set-cluster cluster --server="$API_URL" --certificate-authority="$PKI/ca.crt" --embed-certs=true --kubeconfig="$tmp" >/dev/null
  "$KUBECTL" config set-credentials "$user" --client-certificate="$PKI/$user.crt" --client-key="$PKI/$user.key" --embed-certs=true --kubeconfig="$tmp" >/dev/null
  "$KUBECTL" config set-context cluster --cluster=cluster --user="$user" --kubeconfig="$tmp" >/dev/null
  "$KUBECTL" config use-context cluster --kubeconfig="$tmp" >/dev/null
  chmod 600 "$tmp"
  mv "$tmp" "$file"
}

make_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=messaging-platform-cluster-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  cert kube-apiserver kube-apiserver "" serverAuth \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:$API_SERVICE_IP,IP:$CP_IP,IP:127.0.0.1"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters clientAuth
  cert admin admin system:masters clientAuth
  cert kube-controller-manager system:kube-controller-manager "" clientAuth
  cert kube-scheduler system:kube-scheduler "" clientAuth
  cert kube-proxy system:kube-proxy "" clientAuth
  cert kube-router system:kube-router "" clientAuth
  if [ ! -f "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  local k
  for k in admin kube-controller-manager kube-scheduler kube-proxy kube-router; do
    [ -f "$PKI/$k.kubeconfig" ] || kubeconfig "$PKI/$k.kubeconfig" "$k"
  done
  cp "$PKI/admin.kubeconfig" "$KUBECONFIG_ADMIN.tmp" && mv "$KUBECONFIG_ADMIN.tmp" "$KUBECONFIG_ADMIN"
}

# node_pki <n>: node n's kubelet identity (system:node:<name>, which the Node authorizer and NodeRestriction tie to
# that node only) and its serving certificate for its own address.
node_pki() {
  local name ip
  name="$(node_name "$1")" ip="$(node_ip "$1")"
  cert "$name-kubelet-client" "system:node:$name" system:nodes clientAuth
  cert "$name-kubelet-server" "$name" "" serverAuth "DNS:$name,IP:$ip"
  [ -f "$PKI/$name-kubelet-client.kubeconfig" ] || kubeconfig "$PKI/$name-kubelet-client.kubeconfig" "$name-kubelet-client"
}
