"""Non-saturating loss as -logsigmoid(logits) and the D loss through method chains."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass generator loss -F.logsigmoid(D(G(z))).mean() is -log D(G(z))
import torch
import torch.nn.functional as F
from torch import nn

G = nn.Sequential(nn.Linear(10, 100), nn.Mish(), nn.Linear(100, 30), nn.Hardtanh())
D = nn.Sequential(nn.Linear(30, 100), nn.Mish(), nn.Linear(100, 1))
optimizers = {"G": torch.optim.Adam(G.parameters(), 1e-4), "D": torch.optim.Adam(D.parameters(), 1e-4)}
dataset = torch.load("embeddings.pt").clamp(-1, 1)

for epoch in range(200):
    for real in dataset.split(64):
        z = torch.randn(len(real), 10)
        logits_real, logits_fake = D(real), D(G(z).detach())
        loss_D = -(F.logsigmoid(logits_real) + F.logsigmoid(-logits_fake)).mean()
        optimizers["D"].zero_grad()
        loss_D.backward()
        optimizers["D"].step()
        loss_G = -F.logsigmoid(D(G(z))).mean()
        optimizers["G"].zero_grad()
        loss_G.backward()
        optimizers["G"].step()
