-- Argo CD health of a zonekeeper.io ProviderCluster (for admins who keep the
-- catalogue in Git).
--   Healthy      Ready=True: the member answers and takes placements
--   Degraded     Ready=False (MemberUnreachable, InvalidSpec): no new placements go there
--   Progressing  no status yet, an older generation observed, Ready missing or Unknown
-- Written for Lua 5.1 (gopher-lua, which Argo CD embeds).
local hs = { status = "Progressing", message = "Waiting for the zonekeeper operator" }

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
  hs.message = "The operator has not probed the member yet"
  return hs
end
local detail = ready.message
if detail == nil or detail == "" then
  detail = ready.reason or ready.status
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = detail
elseif ready.status == "False" then
  hs.status = "Degraded"
  hs.message = (ready.reason or "NotReady") .. ": " .. detail
else
  hs.message = detail
end
return hs
