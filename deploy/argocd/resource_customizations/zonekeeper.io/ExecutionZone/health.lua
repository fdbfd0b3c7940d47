-- Argo CD health of a zonekeeper.io ExecutionZone. Argo CD does not read
-- status.conditions of custom resources on its own, so without this check
-- a zone can never turn an Application Degraded.
--   Healthy      Ready=True for the current generation
--   Progressing  no status yet, an older generation observed, Ready Unknown,
--                Ready=False while the operator is still working, or deleting
--   Degraded     Ready=False for any other reason (NoMatchingProvider, InvalidSpec,
--                ApplicationIdInUse, Degraded: a member is unreachable, SwitchError):
--                a person has to act, or capacity or a member has to come back
-- Written for Lua 5.1 (gopher-lua, which Argo CD embeds).
local hs = { status = "Progressing", message = "Waiting for the zonekeeper operator" }

-- Ready=False reasons that mean "still converging", not "stuck".
-- Provisioning and InstancesNotReady are what src/controllers reports while pods and VMs start;
-- AllocationConflict is a lost optimistic-concurrency race that the next pass retries.
local working = {
  Reconciling = true, Progressing = true, Pending = true, Provisioning = true,
  InstancesNotReady = true, AllocationConflict = true,
}

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "Deleting: releasing the zone's instances in the member clusters"
  return hs
end
if obj.status == nil then
  return hs
end
local generation = (obj.metadata ~= nil and obj.metadata.generation) or 0
local observed = obj.status.observedGeneration or 0
if observed < generation then
  hs.message = string.format("Waiting for the operator to observe generation %d (status is for %d)", generation, observed)
  return hs
end

local ready = nil
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" then
    ready = c
  end
end
if ready == nil then
  hs.message = "The operator has not reported Ready yet"
  return hs
end
if ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.message = string.format("Ready is for generation %d, not %d", ready.observedGeneration, generation)
  return hs
end

local detail = ready.message
if detail == nil or detail == "" then
  detail = ready.reason or ready.status
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = detail
elseif ready.status == "False" and not working[ready.reason or ""] then
  hs.status = "Degraded"
  hs.message = (ready.reason or "NotReady") .. ": " .. detail
else
  hs.message = detail
end
return hs
