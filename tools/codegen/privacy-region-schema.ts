// PrivacyRegion: a named group of countries that privacy rules can name
// (regions are data, not code). The six of Table IV ship built
// in (deploy/regions/); a platform admin may add more, with or without a
// DSCP marking bit.

import { REGION_NAME_ANNOTATION } from '../../src/core/privacy/region-catalogue.js';
import { conditions, observedGeneration } from './condition-schema.js';
import type { JSONSchemaProps } from './json-schema.js';
import { country } from './privacy-schema.js';
import { arr, int, metadata, obj, rule, str, withRules } from './schema-builders.js';

/** Kubernetes names are lower case; the region's display name (EEA) goes in this annotation. */
export { REGION_NAME_ANNOTATION };

function spec(): JSONSchemaProps {
  return obj(
    'The countries of the region and the DSCP bit it sets.',
    {
      countries: arr(
        'Member countries, as ITU-T E.212 MCCs (240) or ISO 3166-1 alpha-2 codes (SE). A country with several MCCs (US 310–316) matches by any of them. At least one.',
        country('One member country: an MCC from 200 to 799 or an alpha-2 code.'),
        { minItems: 1, maxItems: 300 },
      ),
      markingBit: int(
        "The DSCP (TOS/Traffic-Class) bit, 2 to 7, that a zone's packets carry when the zone's AllowSpecific regions cover this region (Table IV: 7 Scandinavia, 6 EEA, 5 EU, 4 America, 3 BRICS, 2 MENA). Absent: the region is not marked.",
        { minimum: 2, maximum: 7 },
      ),
      description: str('What the region is, for people (e.g. "European Economic Area").', { maxLength: 1024 }),
    },
    ['countries'],
  );
}

function status(): JSONSchemaProps {
  return obj(
    'What the operator made of the region: whether it resolved, what it means on the wire, and who uses it. Written only by the operator.',
    {
      observedGeneration: observedGeneration('PrivacyRegion'),
      mccs: arr(
        'Every MCC of every member country, ascending: what the region means on the wire. Absent while the region is not Valid.',
        int('An E.212 MCC.'),
      ),
      providers: int(
        'How many ProviderClusters have their country in the region (an AllowSpecific rule on it admits them, other rules permitting). Absent while the region is not Valid.',
        { minimum: 0 },
      ),
      zones: int(
        "How many ExecutionZones name the region in a rule (the zone's or a group's): deleting or changing it affects them.",
        { minimum: 0 },
      ),
      conditions: conditions(
        'region',
        'Valid: every country resolved to an MCC; Ready: Valid, and no other region sets the same marking bit',
      ),
    },
  );
}

export function privacyRegionSchema(): JSONSchemaProps {
  return obj(
    `A named group of countries for privacy rules (e.g. EEA). Cluster-scoped; rules name a region case-insensitively by metadata.name or by its ${REGION_NAME_ANNOTATION} annotation.`,
    {
      apiVersion: str('The versioned schema of this object: zonekeeper.io/v1alpha1.'),
      kind: str('The kind of this object: PrivacyRegion.'),
      metadata: metadata(
        'Standard object metadata.',
        withRules(
          str(
            `The region's name in lower case (eea); the ${REGION_NAME_ANNOTATION} annotation may carry its display spelling (EEA).`,
            { maxLength: 63 },
          ),
          rule(
            "self.matches('^[a-z][a-z0-9.+-]{0,62}$')",
            'must start with a letter and use at most 63 lower-case letters, digits, ".", "+" or "-"',
          ),
        ),
      ),
      spec: spec(),
      status: status(),
    },
    ['spec'],
  );
}
