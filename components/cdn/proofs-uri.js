// CloudFront Function (runtime cloudfront-js-2.0, viewer-request) on the proofs behaviour.
//
// The CredLink API hands out proof URIs as `${PROOF_URI_DOMAIN}/<uuid>` and stores the proof as the
// S3 object `proofs/<uuid>.json`. CloudFront forwards the path as it is, so this maps
//   /proofs/<uuid>   and   /proofs/<uuid>/   ->   /proofs/<lower-case uuid>.json
// before the cache lookup (one cache entry per proof, whatever form the client used), leaves paths
// that already end in .json alone, and answers everything else with 404 at the edge: S3 would only
// say 403 (CloudFront may not list the bucket), and the request never needs to reach it.
// The query string is left alone: the proofs cache policy neither keys on it nor forwards it.
// The function only looks at the last path segment, so it serves whatever path pattern it is
// attached to. Plain ES5 plus what runtime 2.0 documents; no module system, no network.

var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.slice(-5) === ".json") return request;

    var path = uri.slice(-1) === "/" ? uri.slice(0, -1) : uri;
    var cut = path.lastIndexOf("/");
    var id = path.slice(cut + 1).toLowerCase();
    if (cut < 1 || !UUID.test(id)) {
        return { statusCode: 404, statusDescription: "Not Found" };
    }
    request.uri = path.slice(0, cut + 1) + id + ".json";
    return request;
}
