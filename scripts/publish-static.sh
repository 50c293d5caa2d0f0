#!/usr/bin/env bash
# Publishes a static build to a stack's static bucket the way its CDN caches it (docs/cdn.md):
#   1. every file except the entry documents must carry a content hash in its name (app.3f9a1c2b.js,
#      index-BZ3kq9Lp.css): uploaded with `Cache-Control: public, max-age=31536000, immutable`;
#   2. the entry documents (*.html, or ENTRY_GLOBS) are uploaded after them, revalidated by browsers;
#   3. only the entry documents are invalidated in CloudFront (npm run cdn:invalidate), and waited for.
# Old hashed files stay: a page cached before the deploy may still ask for them.
#
#   scripts/publish-static.sh <stack> <build dir> <bucket> <distribution id> [<static prefix>]
#
# The prefix (default: static) must match cdn.staticPathPattern (/static/*). Needs the AWS CLI and
# credentials allowed s3:PutObject on the bucket and cloudfront:CreateInvalidation/GetInvalidation.
# Exit codes: 2 refused (bad arguments, unhashed files, missing tool), else the failing command's.
set -euo pipefail

script_dir="${BASH_SOURCE[0]%/*}"
[[ "$script_dir" == "${BASH_SOURCE[0]}" ]] && script_dir="."
ROOT="$(cd -- "$script_dir/.." && pwd)"

refuse() {
    printf 'publish-static: %s\n' "$1" >&2
    exit 2
}

[[ $# -ge 4 && $# -le 5 ]] ||
    refuse "usage: scripts/publish-static.sh <stack> <build dir> <bucket> <distribution id> [<static prefix>]"
stack="$1" dir="$2" bucket="$3" distribution="$4" prefix="${5:-static}"
[[ -d "$dir" ]] || refuse "build dir $dir does not exist"
[[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || refuse "bucket \"$bucket\" is not an S3 bucket name"
[[ "$prefix" =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$ ]] || refuse "prefix \"$prefix\" must be a path such as static"
command -v aws >/dev/null 2>&1 || refuse "the AWS CLI is not installed"

read -r -a entry_globs <<<"${ENTRY_GLOBS:-*.html}"
is_entry() {
    local name="${1##*/}" glob
    for glob in "${entry_globs[@]}"; do
        # shellcheck disable=SC2053 # a glob on purpose
        [[ "$name" == $glob ]] && return 0
    done
    return 1
}

# A content hash: a dot- or dash-separated part of 8+ letters, digits or _ before the extension.
hashed='[.-][A-Za-z0-9_]{8,}\.[A-Za-z0-9]+$'
entries=() unhashed=()
while IFS= read -r -d '' file; do
    rel="${file#"$dir"/}"
    if is_entry "$rel"; then
        entries+=("/$prefix/$rel")
    elif [[ ! "${rel##*/}" =~ $hashed ]]; then
        unhashed+=("$rel")
    fi
done < <(find "$dir" -type f -print0 | sort -z)

if ((${#unhashed[@]} > 0)); then
    refuse "${#unhashed[@]} file(s) without a content hash in the name would be cached for a year: ${unhashed[*]:0:5}; hash them in the build, or list them in ENTRY_GLOBS"
fi
((${#entries[@]} > 0)) || refuse "no entry documents (${entry_globs[*]}) in $dir: nothing names the hashed files"

exclude_entries=() include_entries=()
for glob in "${entry_globs[@]}"; do
    exclude_entries+=(--exclude "$glob" --exclude "*/$glob")
    include_entries+=(--include "$glob" --include "*/$glob")
done

# Hashed assets first, so no entry document is ever live before the files it names.
aws s3 sync "$dir" "s3://$bucket/$prefix/" --no-progress "${exclude_entries[@]}" \
    --cache-control "public, max-age=31536000, immutable"
aws s3 sync "$dir" "s3://$bucket/$prefix/" --no-progress --exclude "*" "${include_entries[@]}" \
    --cache-control "public, max-age=0, must-revalidate"

cd -- "$ROOT"
npm run --silent cdn:invalidate -- --stack "$stack" --distribution-id "$distribution" --paths "${entries[@]}"
