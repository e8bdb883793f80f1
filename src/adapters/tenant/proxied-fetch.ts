import { proxyFor, type ProxySettings } from "../http/proxy.js";
import { fetchOverTransport, type FetchLike, type Transport } from "./transport.js";

/**
 * A fetch for the callers written against fetch (the GitHub OIDC token request, the GitHub API):
 * Node's own fetch, except that a request the proxy settings send through a proxy goes over
 * `transport` (the node transport, which tunnels it), since Node 20's fetch reads no proxy variables.
 */
export function proxiedFetch(
  settings: ProxySettings,
  transport: Transport,
  direct: FetchLike = (input, init) => fetch(input, init),
): FetchLike {
  const viaProxy = fetchOverTransport(transport);
  return (input, init) => (proxyFor(input, settings) === undefined ? direct : viaProxy)(input, init);
}
