// The paper's INIT privacy block as a schema: four rule lists, each rule an
// action with (DenySpecific, AllowSpecific) or without (DenyAll, AllowAll)
// a value. The schema checks the shape; whether a region or country exists
// is checked by the operator against the region catalogue and reported in
// the zone's conditions, because the catalogue is data in the cluster.

import { RULE_ACTIONS } from '../../src/core/api/types.js';
import type { JSONSchemaProps } from './json-schema.js';
import { arr, enumOf, int, intOrString, obj, rule, str, withRules } from './schema-builders.js';

/** A list is walked top to bottom; more rules than this is a mistake, and CEL cost needs a bound. */
export const MAX_RULES = 64;
/** Region names as the core's region catalogue accepts them. */
export const REGION_NAME = '^[A-Za-z][A-Za-z0-9_.+-]{0,62}$';
export const MAX_UINT32 = 4294967295;

/** MCC (E.212 geographic series 200–799, number or 3-digit string) or ISO 3166-1 alpha-2 code. */
export function country(description: string): JSONSchemaProps {
  return withRules(
    // maxLength bounds the CEL cost; it is loose so that a wrong value ("Sweden") reaches the rule's clearer message.
    intOrString(description, { maxLength: 64 }),
    rule(
      "type(self) == int ? (self >= 200 && self <= 799) : self.matches('^([A-Za-z]{2}|[2-7][0-9]{2})$')",
      'must be an ITU-T E.212 mobile country code from 200 to 799 (e.g. 240) or an ISO 3166-1 alpha-2 code (e.g. SE)',
    ),
  );
}

function ruleList(list: string, description: string, value: JSONSchemaProps): JSONSchemaProps {
  const item = withRules(
    obj(
      `One ${list} rule, the paper's [action, value] tuple. The first rule of the list that matches a value decides; a value no rule matches passes.`,
      {
        action: enumOf(
          'What the rule does: DenySpecific (wire 0) rejects the value, DenyAll (1) rejects every value, AllowSpecific (2) lets the value pass, AllowAll (3) lets every value pass.',
          RULE_ACTIONS,
        ),
        value,
      },
      ['action'],
    ),
    rule(
      "self.action in ['DenyAll', 'AllowAll'] || has(self.value)",
      'a DenySpecific or AllowSpecific rule needs a value',
      {
        messageExpression: "'action ' + self.action + ' needs a value'",
        reason: 'FieldValueRequired',
        fieldPath: '.value',
      },
    ),
    rule("!(self.action in ['DenyAll', 'AllowAll']) || !has(self.value)", 'a DenyAll or AllowAll rule takes no value', {
      messageExpression:
        "'action ' + self.action + ' takes no value; remove value, or use ' + (self.action == 'DenyAll' ? 'DenySpecific' : 'AllowSpecific')",
      reason: 'FieldValueForbidden',
      fieldPath: '.value',
    }),
  );
  return arr(description, item, { maxItems: MAX_RULES });
}

export function privacyRules(description: string): JSONSchemaProps {
  return obj(description, {
    regions: ruleList(
      'regions',
      'Rules on named regions (PrivacyRegion objects, e.g. EEA, EU, Scandinavia). A region rule matches a provider whose country belongs to the region. Example: [{action: AllowSpecific, value: EEA}, {action: DenyAll}] keeps the zone inside the EEA.',
      str(
        'The region name, as a PrivacyRegion names it (compared case-insensitively). Required for DenySpecific and AllowSpecific, forbidden for DenyAll and AllowAll.',
        {
          pattern: REGION_NAME,
          maxLength: 63,
        },
      ),
    ),
    countries: ruleList(
      'countries',
      "Rules on the provider's country. Example: [{action: DenySpecific, value: 240}] keeps the zone out of Sweden.",
      country(
        'The country: an ITU-T E.212 mobile country code (240 for Sweden; a country with several MCCs matches by any of them) or an ISO 3166-1 alpha-2 code (SE). Required for DenySpecific and AllowSpecific, forbidden for DenyAll and AllowAll.',
      ),
    ),
    autonomousSystems: ruleList(
      'autonomousSystems',
      "Rules on the autonomous systems (the paper's `as`) a provider's traffic passes. Every AS of the provider must pass; a provider that declares none fails a list holding a deny rule.",
      int(
        'The autonomous-system number, 1 to 4294967295. Required for DenySpecific and AllowSpecific, forbidden for DenyAll and AllowAll.',
        {
          minimum: 1,
          maximum: MAX_UINT32,
        },
      ),
    ),
    equipment: ruleList(
      'equipment',
      "Rules on the network-equipment vendors on a provider's path, by IANA private enterprise number (PEN; 9 is Cisco, 2011 Huawei). Every vendor of the provider must pass; a provider that declares none fails a list holding a deny rule.",
      int(
        'The IANA private enterprise number, 1 to 4294967295 (0 is reserved). Required for DenySpecific and AllowSpecific, forbidden for DenyAll and AllowAll.',
        {
          minimum: 1,
          maximum: MAX_UINT32,
        },
      ),
    ),
  });
}
