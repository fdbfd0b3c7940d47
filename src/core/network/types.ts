// What the network plan of one zone holds. The P4 entry planner, the
// operator's status writer and zonectl all read this one structure.

export const HOME_SWITCH = 'HOME-SWITCH';

/** The Table IV privacy mark of a zone. */
export interface PrivacyMarking {
  /** Bits 7..2 of the TOS / Traffic Class byte as text, `111000` for EEA. */
  bits: string;
  /** The same six bits as the DSCP code point (0–63). */
  dscp: number;
  /** The full TOS / Traffic Class byte (dscp << 2, ECN bits zero). */
  tos: number;
}

export interface VpnLinkPlan {
  provider: string;
  from: string;
  /** `<Provider>-SWITCH` */
  to: string;
}

export interface InstanceAddress {
  name: string;
  provider: string;
  group: string;
  /** IPv6 address inside the zone's /64, canonical text form. */
  address: string;
}

/** An instance the zone released: its address is never handed out again and the switch drops what is sent to it. */
export type ReleasedAddress = Pick<InstanceAddress, 'name' | 'address'>;

export interface ZoneNetworkPlan {
  applicationId: string;
  vlanId: number;
  /** The 40-bit ULA global ID the network was built from. */
  globalId: number;
  /** The paper's `network_id`: the global ID as a decimal number. */
  networkId: number;
  /** `fd3f:e79f:d35c:3e8::/64` */
  network: string;
  /** The 64-bit prefix as 8 bytes, for switch tables. */
  prefixBytes: number[];
  marking: PrivacyMarking;
  /** Ordered by provider name. */
  vpn: VpnLinkPlan[];
  /** Ordered by provider, then instance name. */
  instances: InstanceAddress[];
  /**
   * Released instances of a zone that lives on, in instance order: the
   * switch drops packets to them, which the zone's own network would
   * otherwise admit and send up the trunk.
   */
  released: ReleasedAddress[];
}
