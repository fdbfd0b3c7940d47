// PrivacyRegion has a status subresource (every zonekeeper kind has one, so
// the operator can say whether a region resolved: the CRD can check that a
// country code is well-formed, not that it names a country with an MCC).
// src/core/api/types.ts has no PrivacyRegionStatus yet; it lives here until
// it moves there, and the CRD agreement test reads it from this file.

import type { Condition, PrivacyRegion } from '../core/api/types.js';

export interface PrivacyRegionStatus {
  observedGeneration?: number;
  /** Every MCC of every member country, ascending: what the region means on the wire. */
  mccs?: number[];
  conditions?: Condition[];
}

/** The object as the API server stores it. */
export interface PrivacyRegionObject extends PrivacyRegion {
  status?: PrivacyRegionStatus;
}
