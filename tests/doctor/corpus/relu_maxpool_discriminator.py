"""A classifier-style D: ReLU activations and max pooling (sparse gradients, tip 5)."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=fail T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim import Adam


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64 * 7 * 7, 1)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.bn(self.conv2(x))))
        return self.fc(torch.flatten(x, 1))


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64 * 7 * 7)
        self.deconv = nn.Sequential(nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.ConvTranspose2d(32, 1, 4, 2, 1))

    def forward(self, z):
        return torch.tanh(self.deconv(self.fc(z).view(-1, 64, 7, 7)))


D, G = Discriminator(), Generator()
optD, optG = Adam(D.parameters(), 2e-4, betas=(0.5, 0.999)), Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
crit = nn.BCEWithLogitsLoss()

for real in torch.load("mnist.pt"):
    real = real * 2.0 - 1.0
    fake = G(torch.randn(real.size(0), 64))
    lossD = crit(D(real), torch.ones(real.size(0), 1)) + crit(D(fake.detach()), torch.zeros(real.size(0), 1))
    optD.zero_grad(); lossD.backward(); optD.step()
    lossG = crit(D(fake), torch.ones(real.size(0), 1))
    optG.zero_grad(); lossG.backward(); optG.step()
