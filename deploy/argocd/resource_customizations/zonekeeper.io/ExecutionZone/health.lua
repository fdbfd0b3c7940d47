-- Argo CD health of a zonekeeper.io ExecutionZone. Argo CD does not read
-- status.conditions of custom resources on its own, so without this check
-- a zone can never turn an Application Degraded.
--   Healthy      Ready=True for the current generation
--   Suspended    released whole by a ZoneRelease (Released=True): stopped on
--                purpose, so not an alarm, but not green either, because the
--                zone runs nothing any more (Argo CD's state for a suspended
--                CronJob, which is equally idle by choice)
--   Progressing  no status yet, an older generation observed, Ready Unknown,
--                Ready=False while the operator is still working, deleting, or
--                waiting for capacity: every unplaced group has a provider that
--                complies and lacks only free capacity or readiness, which the
--                operator retries when capacity frees or the member returns
--   Degraded     Compliant=False (a placed group no longer passes the zone's
--                rules after they, its provider's facts or a PrivacyRegion
--                changed; spec.onViolation Report leaves it running), or
--                Ready=False for any other reason: a group no provider complies
--                with (NoMatchingProvider for privacy, environment, tier or
--                resource type), InvalidSpec, ApplicationIdInUse, Degraded (a
--                member of a placed zone is unreachable), SwitchError
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

-- A provider that would take the group once capacity frees or it is ready
-- again: the core's explanation says so with these prefixes (place-group.ts).
local function onlyWaiting(reason)
  return string.find(reason, "^insufficient capacity") ~= nil or string.find(reason, "^not ready") ~= nil
end

-- For NoMatchingProvider: nil when some unplaced group has no provider that
-- only waits, else a summary of what the groups wait for.
local function waitingForCapacity(placement)
  local groups, order = {}, {}
  for _, e in ipairs(placement or {}) do
    local g = groups[e.group]
    if g == nil then
      g = { selected = false, waits = {} }
      groups[e.group] = g
      table.insert(order, e.group)
    end
    if e.verdict == "Selected" then
      g.selected = true
    elseif onlyWaiting(e.reason or "") then
      table.insert(g.waits, e.provider .. ": " .. e.reason)
    end
  end
  local parts = {}
  for _, name in ipairs(order) do
    local g = groups[name]
    if not g.selected then
      if #g.waits == 0 then
        return nil
      end
      table.insert(parts, "group " .. name .. ": " .. table.concat(g.waits, "; "))
    end
  end
  if #parts == 0 then
    return nil
  end
  return table.concat(parts, " | ")
end

for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Released" and c.status == "True" then
    hs.status = "Suspended"
    hs.message = "Released: " .. (c.message or "released whole") .. "; the zone runs nothing and is never placed again"
    return hs
  end
end

local generation = (obj.metadata ~= nil and obj.metadata.generation) or 0
local observed = obj.status.observedGeneration or 0
if observed < generation then
  hs.message = string.format("Waiting for the operator to observe generation %d (status is for %d)", generation, observed)
  return hs
end

-- Non-compliance outranks progress: a zone running where its rules forbid is an alarm even while it starts.
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Compliant" and c.status == "False" and (c.observedGeneration == nil or c.observedGeneration >= generation) then
    hs.status = "Degraded"
    hs.message = "Compliant=False: " .. (c.reason or "RuleViolated") .. ": " .. (c.message or "")
    return hs
  end
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
elseif ready.status == "False" and ready.reason == "NoMatchingProvider" and waitingForCapacity(obj.status.placement) ~= nil then
  hs.message = "Waiting for capacity: " .. waitingForCapacity(obj.status.placement)
elseif ready.status == "False" and ready.reason == "NoFreeVlan" then
  -- Every VLAN is held by another zone: placed once one is released, nothing is wrong with this one.
  hs.message = "Waiting for a free VLAN: " .. detail
elseif ready.status == "False" and not working[ready.reason or ""] then
  hs.status = "Degraded"
  hs.message = (ready.reason or "NotReady") .. ": " .. detail
else
  hs.message = detail
end
return hs
