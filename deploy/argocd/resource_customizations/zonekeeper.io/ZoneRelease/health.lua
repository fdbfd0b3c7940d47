-- Argo CD health of a zonekeeper.io ZoneRelease.
--   Healthy      phase Succeeded (or Ready=True)
--   Suspended    phase Waiting: the trigger (at, after) has not fired yet;
--                like a suspended CronJob, nothing is wrong and nothing moves
--   Degraded     phase Failed (e.g. an unknown instance name; nothing was released)
--   Progressing  no status yet, an older generation observed, Pending, Releasing
-- Written for Lua 5.1 (gopher-lua, which Argo CD embeds).
local hs = { status = "Progressing", message = "Waiting for the zonekeeper operator" }

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "Deleting"
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
local function say(fallback)
  if ready ~= nil and ready.message ~= nil and ready.message ~= "" then
    return ready.message
  end
  return fallback
end

local phase = obj.status.phase
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = say("Released")
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = say("The release failed; nothing was released")
elseif phase == "Waiting" then
  hs.status = "Suspended"
  if obj.status.releaseTime ~= nil then
    hs.message = say("Waiting to release at " .. obj.status.releaseTime)
  else
    hs.message = say("Waiting for the trigger")
  end
elseif phase == "Pending" or phase == "Releasing" then
  hs.message = say(phase)
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = say("Released")
elseif ready ~= nil and ready.status == "False" and ready.reason == "Failed" then
  hs.status = "Degraded"
  hs.message = say("The release failed")
end
return hs
