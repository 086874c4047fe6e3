/**
 * keepalived-ts extension keywords of global_defs for the split-brain witness (see
 * src/split-brain/ and README "keepalived-ts extensions"). keepalived itself does not know them.
 */
export interface WitnessConfig {
  /** `witness ADDR PORT`: the witness; directors also exchange their votes on PORT. */
  address: string;
  port: number;
  /** `witness_secret SECRET`: the HMAC key of every message (never logged or shown). */
  secret: string | undefined;
  /** `witness_lease SECONDS`, µs; undefined: 3 × the group's advert_int. */
  leaseUs: number | undefined;
  /** `vote_peers { ADDR … }`: the peer directors of instances without unicast_peer. */
  votePeers: string[];
}
